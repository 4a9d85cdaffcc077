"""HTTP routes: thin — parse, call one service function, return."""
