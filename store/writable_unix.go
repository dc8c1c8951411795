//go:build unix

package store

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// writable reports whether this process may write to path (a file or a
// folder), without opening it: closing another descriptor of a SQLite
// file would drop SQLite's locks on it.
func writable(path string) error {
	if err := unix.Access(path, unix.W_OK); err != nil {
		return fmt.Errorf("write to %s: %w", path, err)
	}
	return nil
}
