"""Dog management (犬类管理): owners register their dogs, the community's staff review them,
the register per community, and the rabies vaccination's lapse reminders."""
