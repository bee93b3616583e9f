"""``jupyter mo``: the command line, one module per noun."""
