"""What leads and admins of the office do in chat: failed updates, figures, the register, maps,
people, areas, categories and notices."""
