//go:build !unix

package store

// writable cannot tell without opening path, which would drop SQLite's
// locks on it: writes then find out.
func writable(string) error { return nil }
