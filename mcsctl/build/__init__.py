"""Build-time only: the Typer-tree walker, the jinja2 templates and the renderers of the generated files
(mcsctl/data/mcsctl.bash, mcsctl/data/_mcsctl, man/mcsctl.1).

No runtime code path imports this package: `mcsctl completion` prints the shipped mcsctl/data/ copy.
It imports the runtime (the app, the cache constants, the exit codes), never the other way round.
`python -m mcsctl.build` (`make regen`) rewrites the files; tests/docs check they are fresh.
"""
