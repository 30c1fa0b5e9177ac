"""Hot reload in the console: the reloader running in a worker from the moment the app
mounts (`hot_reload`), the standing-errors banner over the panes (`banner`), notifications,
the reload log screen (`screen`; `R`, `:reloads`) and its `:` verb (`verbs`, no Textual).
The watching and applying itself is podtui.reload."""
