"""The commands: the `zwgk` CLI, one module per subcommand, thin steps over the store."""
