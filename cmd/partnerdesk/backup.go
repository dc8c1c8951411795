package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/partnerdesk/partnerdesk/store"
)

// runBackup copies a SQLite database, consistently, while a server may be
// running and writing.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	cfg.flags(fs)
	dest, err := parseFile(fs, args, stderr)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if _, ok := store.SQLitePath(cfg.DatabaseURL); !ok {
		return store.ErrBackupPostgres
	}
	if _, err := os.Stat(cfg.DatabaseURL); err != nil {
		return fmt.Errorf("no database at %s: %w", cfg.DatabaseURL, err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (integrity checked).\n", cfg.DatabaseURL, dest)
	return nil
}

// runRestore puts a backup in place of the SQLite database; the server
// must be stopped.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	cfg.flags(fs)
	src, err := parseFile(fs, args, stderr)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	target, ok := store.SQLitePath(cfg.DatabaseURL)
	if !ok {
		return store.ErrBackupPostgres
	}
	release, err := lockDatabase(target, true)
	if errors.Is(err, errDatabaseInUse) {
		return fmt.Errorf("%s is open in a running Partnerdesk server: stop it, then restore", target)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if release != nil {
		defer release()
	}
	if err := store.RestoreSQLite(ctx, src, target); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Restored %s from %s. Start the server: it applies any newer migrations.\n", target, src)
	return nil
}

// parseFile parses a command's flags and its one FILE argument.
func parseFile(fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return "", usageError{err}
	}
	if fs.NArg() != 1 {
		return "", usageError{fmt.Errorf("want one FILE argument, got %d", fs.NArg())}
	}
	return fs.Arg(0), nil
}
