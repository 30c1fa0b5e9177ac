"""The console's screens: the panes, the detail view, the editor, dialogs, help."""
