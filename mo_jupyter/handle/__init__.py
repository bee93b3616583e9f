"""The deploy wizard's core: handle(conf) parsing, app_spec.yml, handler.py generation."""
