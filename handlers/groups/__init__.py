"""Department group chats: binding a group to a department, so it gets that department's cases."""
