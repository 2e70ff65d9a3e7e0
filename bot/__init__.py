"""The application: settings, wiring, the domain services and the texts."""
