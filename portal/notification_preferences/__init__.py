"""Each user's notification preferences (which kinds of message reach them, on which channel) and the
one-click unsubscribe link in every email that is not security mail."""
