"""The console's `:drill`: `podtui drill`'s report as a pane over the console's own PATHs
and seed, and `enter` on a finding to replay that drill in the console up to the moment it
went wrong. Thin views over engine.drill."""
