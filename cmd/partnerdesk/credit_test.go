package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const workedExample = `{"id":"ev-101","occurred_at":"2025-01-20T10:00:00Z","partner":"p7","client":"northwind","product":"marketing-pro","mrr":89000}
{"id":"ev-102","occurred_at":"2025-02-10T10:00:00Z","partner":"p7","client":"globex","product":"service-pro","mrr":30000}
{"id":"ev-103","occurred_at":"2025-03-03T10:00:00Z","partner":"p7","client":"initech","product":"content-pro","mrr":40000}
{"id":"ev-104","occurred_at":"2025-04-02T10:00:00Z","partner":"p7","client":"northwind","product":"sales-starter","mrr":2000}
{"id":"ev-105","occurred_at":"2025-05-31T10:00:00Z","partner":"p7","client":"globex","product":"service-pro","mrr":0}
{"id":"ev-106","occurred_at":"2025-06-06T10:00:00Z","partner":"p9","client":"initech","product":"operations-starter","mrr":2000}
{"id":"ev-107","occurred_at":"2025-07-15T10:00:00Z","partner":"p7","client":"northwind","product":"marketing-pro","mrr":45000}
{"id":"ev-108","occurred_at":"2025-10-01T10:00:00Z","partner":"p7","client":"globex","product":"service-starter","mrr":1500}
`

func runCreditCmd(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = runCredit(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCreditReplayPrintsMonthlySummaries(t *testing.T) {
	file := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(file, []byte(workedExample), 0o600); err != nil {
		t.Fatal(err)
	}
	code, fromFile, stderr := runCreditCmd("", "replay", "--from", "2025-01", "--to", "2026-06", file)
	if code != 0 || stderr != "" {
		t.Fatalf("status %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		`{"partners":[{"partner":"p7","months":[{"month":"2025-01","opening":0,"new":89000,"upgraded":0,"decreased":0,"expired_lost":0,"closing":89000},`,
		`{"month":"2026-04","opening":48500,"new":0,"upgraded":0,"decreased":0,"expired_lost":47000,"closing":1500}`,
		`{"partner":"p9","months":[`,
		`{"month":"2026-06","opening":42000,"new":0,"upgraded":0,"decreased":0,"expired_lost":42000,"closing":0}]}]}`,
	} {
		if !strings.Contains(fromFile, want) {
			t.Errorf("output lacks %s\n%s", want, fromFile)
		}
	}
	if code, fromStdin, _ := runCreditCmd(workedExample, "replay", "--from=2025-01", "--to=2026-06", "-"); code != 0 || fromStdin != fromFile {
		t.Errorf("stdin: status %d, output differs:\n%s", code, fromStdin)
	}
}

func TestCreditReplayExplainsAClient(t *testing.T) {
	// Flags may follow FILE.
	code, stdout, stderr := runCreditCmd(workedExample, "replay", "--from", "2025-01", "--to", "2026-06", "-", "--explain", "initech")
	if code != 0 {
		t.Fatalf("status %d: %s", code, stderr)
	}
	want := `"explain":{"client":"initech","movements":[` +
		`{"date":"2025-03-03","partner":"p7","kind":"new","column":"new","amount":40000,"event_ids":["ev-103"]},` +
		`{"date":"2025-06-06","partner":"p7","kind":"transferred","column":"expired_lost","amount":40000,"event_ids":["ev-106"]},` +
		`{"date":"2025-06-06","partner":"p9","kind":"new","column":"new","amount":42000,"event_ids":["ev-106"]},` +
		`{"date":"2026-06-06","partner":"p9","kind":"expired","column":"expired_lost","amount":42000,"event_ids":["ev-106"]}]`
	if !strings.Contains(stdout, want) {
		t.Errorf("output lacks %s\n%s", want, stdout)
	}
}

func TestCreditReplayRejectsBadInput(t *testing.T) {
	bad := workedExample + `{"id":"ev-109","occurred_at":"2025-13-01","partner":"p7","client":"globex","product":"a","mrr":1}` + "\n"
	conflict := workedExample + strings.Replace(strings.SplitN(workedExample, "\n", 2)[0], "89000", "89001", 1) + "\n"
	for _, tc := range []struct {
		name, stdin, stderr string
	}{
		{"malformed line", bad, "line 9: occurred_at \"2025-13-01\" is not RFC 3339 or YYYY-MM-DD\n"},
		{"negative mrr", `{"id":"x","occurred_at":"2025-01-01","partner":"p","client":"c","product":"a","mrr":-1}`, "line 1: mrr -1 is negative\n"},
		{"conflicting duplicate id", conflict, "line 9: id \"ev-101\" was seen before with different content\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCreditCmd(tc.stdin, "replay", "--from", "2025-01", "--to", "2026-06", "-")
			if code != 2 || stdout != "" || stderr != tc.stderr {
				t.Errorf("status %d, stdout %q, stderr %q; want 2, nothing, %q", code, stdout, stderr, tc.stderr)
			}
		})
	}
}

func TestCreditRejectsBadFlagsWithUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"replay-all"},
		{"replay", "--to", "2026-06", "-"},
		{"replay", "--from", "2025-1", "--to", "2026-06", "-"},
		{"replay", "--from", "2025-07", "--to", "2025-06", "-"},
		{"replay", "--from", "2025-01", "--to", "2026-06", "--expiry-months", "0", "-"},
		{"replay", "--from", "2025-01", "--to", "2026-06", "--tz", "Mars/Olympus", "-"},
		{"replay", "--from", "2025-01", "--to", "2026-06", "--colour", "-"},
		{"replay", "--from", "2025-01", "--to", "2026-06"},
		{"replay", "--from", "2025-01", "--to", "2026-06", "a", "b"},
	} {
		code, stdout, stderr := runCreditCmd(workedExample, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "usage: partnerdesk credit replay") {
			t.Errorf("%q: status %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if code, stdout, _ := runCreditCmd("", "replay", "-h"); code != 0 || !strings.Contains(stdout, "--explain") {
		t.Errorf("help: status %d, %q", code, stdout)
	}
	if code, _, stderr := runCreditCmd("", "replay", "--from", "2025-01", "--to", "2025-02", filepath.Join(t.TempDir(), "missing")); code != 1 || stderr == "" {
		t.Errorf("missing file: status %d, stderr %q", code, stderr)
	}
}
