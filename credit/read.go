package credit

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// readEvents parses r line by line, drops re-delivered events and those
// after asOf, and hands the rest, with their client interned, to fn, in
// file order. The first bad line stops it.
func readEvents(ctx context.Context, r io.Reader, l *Ledger, asOf Date, fn func(ci int32, ev *rawEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var ev rawEvent
	n := 0
	for sc.Scan() {
		if n++; n%65536 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		ev = rawEvent{}
		if err := parseLine(b, l.loc, &ev); err != nil {
			return &LineError{n, err}
		}
		dup, err := l.seen.add(l.seen.idBytes(ev.id), l.seen.contentBytes(ev.at, ev.mrr, ev.partner, ev.client, ev.product))
		if err != nil {
			return &LineError{n, fmt.Errorf("id %q was seen before with different content", ev.id)}
		}
		if dup || ev.day > asOf {
			continue
		}
		if err := fn(l.clientBytes(ev.client), &ev); err != nil {
			return err
		}
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return &LineError{n + 1, fmt.Errorf("longer than %d bytes", maxLine)}
	case err != nil:
		return fmt.Errorf("read events: %w", err)
	}
	return nil
}
