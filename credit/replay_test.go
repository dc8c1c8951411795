package credit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func replayString(t *testing.T, opts ReplayOptions, input string) (string, error) {
	t.Helper()
	rep, err := Replay(context.Background(), opts, strings.NewReader(input))
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String(), nil
}

func months(t *testing.T, from, to string) (Month, Month) {
	t.Helper()
	f, err := ParseMonth(from)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseMonth(to)
	if err != nil {
		t.Fatal(err)
	}
	return f, l
}

// TestWorkedExample is the worked example of docs/credit.md, byte for
// byte: only the months listed move, every other month carries its
// balance.
func TestWorkedExample(t *testing.T) {
	input, err := os.ReadFile("testdata/worked-example.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	type flows struct{ new, upgraded, decreased, expiredLost int64 }
	moves := map[string]map[string]flows{
		"p7": {
			"2025-01": {new: 89000},
			"2025-02": {new: 30000},
			"2025-03": {new: 40000},
			"2025-04": {upgraded: 2000},
			"2025-05": {expiredLost: 30000}, // globex stopped paying
			"2025-06": {expiredLost: 40000}, // initech's purchase went to p9
			"2025-07": {decreased: 44000},
			"2025-10": {upgraded: 1500},     // globex returning
			"2026-04": {expiredLost: 47000}, // northwind's last purchase was 2025-04-02
		},
		"p9": {
			"2025-06": {new: 42000},
			"2026-06": {expiredLost: 42000},
		},
	}
	closings := map[string]int64{"2025-01": 89000, "2025-02": 119000, "2025-03": 159000, "2025-04": 161000,
		"2025-05": 131000, "2025-06": 91000, "2025-07": 47000, "2025-10": 48500, "2026-04": 1500, "2026-06": 1500}

	from, to := months(t, "2025-01", "2026-06")
	var want strings.Builder
	want.WriteString(`{"partners":[`)
	for i, p := range []string{"p7", "p9"} {
		if i > 0 {
			want.WriteString(",")
		}
		fmt.Fprintf(&want, `{"partner":%q,"months":[`, p)
		var bal int64
		for m := from; m <= to; m++ {
			f := moves[p][m.String()]
			open := bal
			bal += f.new + f.upgraded - f.decreased - f.expiredLost
			if c, ok := closings[m.String()]; ok && p == "p7" && c != bal {
				t.Fatalf("the test's table is wrong: p7 %s closes at %d, not %d", m, bal, c)
			}
			if m > from {
				want.WriteString(",")
			}
			fmt.Fprintf(&want, `{"month":"%s","opening":%d,"new":%d,"upgraded":%d,"decreased":%d,"expired_lost":%d,"closing":%d}`,
				m, open, f.new, f.upgraded, f.decreased, f.expiredLost, bal)
		}
		want.WriteString("]}")
	}
	want.WriteString("]}\n")

	got, err := replayString(t, ReplayOptions{From: from, To: to}, string(input))
	if err != nil {
		t.Fatal(err)
	}
	if got != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got, want.String())
	}

	// The same history, read backwards, explained for northwind.
	lines := strings.Split(strings.TrimSpace(string(input)), "\n")
	slices.Reverse(lines)
	got, err = replayString(t, ReplayOptions{From: from, To: to, Explain: "northwind"}, strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	explain := `,"explain":{"client":"northwind","movements":[` +
		`{"date":"2025-01-20","partner":"p7","kind":"new","column":"new","amount":89000,"event_ids":["ev-101"]},` +
		`{"date":"2025-04-02","partner":"p7","kind":"upgraded","column":"upgraded","amount":2000,"event_ids":["ev-104"]},` +
		`{"date":"2025-07-15","partner":"p7","kind":"decreased","column":"decreased","amount":44000,"event_ids":["ev-107"]},` +
		`{"date":"2026-04-02","partner":"p7","kind":"expired","column":"expired_lost","amount":47000,"event_ids":["ev-104"]}],` +
		`"credit":{"client":"northwind","partner":"p7","mrr":47000,"credit":0,"last_purchase":"2025-04-02","expires":"2026-04-02"}}}` + "\n"
	if w := strings.TrimSuffix(want.String(), "}\n") + explain; got != w {
		t.Errorf("explained, got\n%s\nwant\n%s", got, w)
	}
}

func TestReplayReportsTheFirstBadLine(t *testing.T) {
	const ok = `{"id":"ev-1","occurred_at":"2025-01-20T10:00:00Z","partner":"p7","client":"c","product":"a","mrr":100}`
	for _, tc := range []struct {
		name, input, want string
	}{
		{"broken JSON", ok + "\n" + `{"id":"ev-2",`, `line 2: invalid JSON: unexpected end of JSON input`},
		{"not an object", `[1,2]`, `line 1: not a JSON object`},
		{"missing field", `{"id":"x","occurred_at":"2025-01-01","partner":"p","client":"c","product":"a"}`, `line 1: missing "mrr"`},
		{"null field", `{"id":"x","occurred_at":null,"partner":"p","client":"c","product":"a","mrr":1}`, `line 1: missing "occurred_at"`},
		{"empty field", `{"id":"x","occurred_at":"2025-01-01","partner":"p","client":"","product":"a","mrr":1}`, `line 1: "client" is empty`},
		{"id not a string", `{"id":5,"occurred_at":"2025-01-01","partner":"p","client":"c","product":"a","mrr":1}`, `line 1: "id" must be a string`},
		{"bad date", `{"id":"x","occurred_at":"2025-13-01","partner":"p","client":"c","product":"a","mrr":1}`, `line 1: occurred_at "2025-13-01" is not RFC 3339 or YYYY-MM-DD`},
		{"time without zone", `{"id":"x","occurred_at":"2025-01-01T10:00:00","partner":"p","client":"c","product":"a","mrr":1}`, `line 1: occurred_at "2025-01-01T10:00:00" is not RFC 3339 or YYYY-MM-DD`},
		{"negative mrr", `{"id":"x","occurred_at":"2025-01-01","partner":"p","client":"c","product":"a","mrr":-5}`, `line 1: mrr -5 is negative`},
		{"fractional mrr", `{"id":"x","occurred_at":"2025-01-01","partner":"p","client":"c","product":"a","mrr":1.5}`, `line 1: mrr 1.5 is not an integer`},
		{"quoted mrr", `{"id":"x","occurred_at":"2025-01-01","partner":"p","client":"c","product":"a","mrr":"5"}`, `line 1: mrr "5" must be a number`},
		{"huge mrr", `{"id":"x","occurred_at":"2025-01-01","partner":"p","client":"c","product":"a","mrr":99999999999999999999}`, `line 1: mrr 99999999999999999999 is out of range`},
		{"blank lines count", ok + "\n\n  \n" + `{"id":"x"}`, `line 4: missing "occurred_at"`},
		{"id reused for other content", ok + "\n" + strings.Replace(ok, `"mrr":100`, `"mrr":200`, 1), `line 2: id "ev-1" was seen before with different content`},
		{"id reused, out of order", strings.NewReplacer("2025-01-20", "2025-03-01", "ev-1", "ev-2").Replace(ok) + "\n" + ok + "\n" + strings.Replace(ok, `"a"`, `"b"`, 1),
			`line 3: id "ev-1" was seen before with different content`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := months(t, "2025-01", "2025-12")
			_, err := replayString(t, ReplayOptions{From: from, To: to}, tc.input)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
			if !errors.As(err, new(*LineError)) {
				t.Errorf("%T is not a *LineError", err)
			}
		})
	}
}

func TestReplayAcceptsEveryWayOfWritingTheSameEvents(t *testing.T) {
	from, to := months(t, "2025-01", "2025-03")
	plain := `{"id":"ev-1","occurred_at":"2025-01-20T10:00:00Z","partner":"p7","client":"northwind","product":"a","mrr":100}` + "\n" +
		`{"id":"ev-2","occurred_at":"2025-02-01","partner":"p7","client":"northwind","product":"a","mrr":80}` + "\n"
	want, err := replayString(t, ReplayOptions{From: from, To: to}, plain)
	if err != nil {
		t.Fatal(err)
	}
	for name, input := range map[string]string{
		"CRLF, spaces and blank lines": "\r\n" + ` { "id" : "ev-1", "occurred_at":"2025-01-20T11:00:00+01:00","partner":"p7","client":"northwind","product":"a","mrr":100 } ` + "\r\n\r\n" +
			`{"id":"ev-2","occurred_at":"2025-02-01","partner":"p7","client":"northwind","product":"a","mrr":80}`,
		"escapes and unknown keys": `{"source":{"system":"billing"},"id":"ev-\u0031","occurred_at":"2025-01-20T10:00:00Z","partner":"p7","client":"north\u0077ind","product":"a","mrr":100,"note":null}` + "\n" +
			`{"mrr":80,"product":"a","client":"northwind","partner":"p7","occurred_at":"2025-02-01","id":"ev-2"}`,
		"re-delivered": plain + plain,
	} {
		got, err := replayString(t, ReplayOptions{From: from, To: to}, input)
		if err != nil || got != want {
			t.Errorf("%s: %v\n%s\nwant\n%s", name, err, got, want)
		}
	}
}

func TestDateOnlyEventsAreDaysInTheProgramTimeZone(t *testing.T) {
	tokyo := time.FixedZone("UTC+9", 9*3600)
	from, to := months(t, "2025-01", "2025-02")
	// 2025-01-31T20:00Z is already February 1st in Tokyo.
	input := `{"id":"1","occurred_at":"2025-01-31T20:00:00Z","partner":"p","client":"c","product":"a","mrr":100}` + "\n" +
		`{"id":"2","occurred_at":"2025-02-01","partner":"p","client":"c","product":"b","mrr":5}`
	rep, err := Replay(context.Background(), ReplayOptions{From: from, To: to, Location: tokyo}, strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	jan, feb := rep.Partners[0].Months[0], rep.Partners[0].Months[1]
	if jan.New != 0 || feb.New != 105 {
		t.Errorf("January %+v, February %+v; want all 105 new in February", jan, feb)
	}
}

func TestReplayStreamsClientOrderedInputAndSortsTheRest(t *testing.T) {
	input, err := os.ReadFile("testdata/worked-example.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	opts := ReplayOptions{From: MakeMonth(2025, 1), To: MakeMonth(2026, 6)}
	if _, err := replayStream(context.Background(), opts, bytes.NewReader(input), New(Options{})); err != nil {
		t.Errorf("time-ordered input does not stream: %v", err)
	}
	lines := bytes.Split(bytes.TrimSpace(input), []byte("\n"))
	slices.Reverse(lines)
	if _, err := replayStream(context.Background(), opts, bytes.NewReader(bytes.Join(lines, []byte("\n"))), New(Options{})); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("reversed input streams: %v", err)
	}
}

func TestReplayStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	line := `{"id":"%d","occurred_at":"2025-01-20","partner":"p","client":"c","product":"a","mrr":1}` + "\n"
	var b bytes.Buffer
	for i := range 70000 {
		fmt.Fprintf(&b, line, i)
	}
	if _, err := Replay(ctx, ReplayOptions{From: MakeMonth(2025, 1), To: MakeMonth(2025, 1)}, &b); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
