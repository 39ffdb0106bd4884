"""The web console, over HTTP and in Debian's Chromium."""
