"""What every audience's routers share: callback data, keyboards, filters, the outer middlewares
(update journal, person), long answers split within Telegram's limit, and membership updates."""
