"""Deployed apps ("services"): snapshots of handler.py + app_spec.yml + chosen files, served by
`jupyter mo serve` outside the Jupyter server, with replicas, logs and a test page."""
