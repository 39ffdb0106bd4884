"""Wire types: the JSON the REST API and the WebSocket speak, typed once."""
