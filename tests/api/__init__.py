"""The HTTP and WebSocket edges: auth, limits, bad input, the conversation socket, REST."""
