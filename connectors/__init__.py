"""One module per outside service, all of one shape: pure builders and thin senders."""
