"""What residents do in chat: /start and /help, language, the report flow, their cases, the
feedback that closes the loop, and subscriptions to notices."""
