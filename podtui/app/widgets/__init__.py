"""The console's widgets: the header, the resource table, the footer, text views."""
