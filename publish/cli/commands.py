"""Registry of command modules: importing a module adds its commands to `main`."""
