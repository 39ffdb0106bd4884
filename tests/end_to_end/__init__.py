"""A real server driven as its users drive it: the official SDKs, the README, a clean install."""
