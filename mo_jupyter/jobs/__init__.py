"""Jobs: records, the supervisor that writes them, the scheduler, backends, the service."""
