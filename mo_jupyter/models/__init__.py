"""Model records: versions per name, the files copied, lineage from the job that wrote them."""
