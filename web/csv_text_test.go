package web

import "testing"

// A text cell that a spreadsheet would run as a formula is exported with a
// leading apostrophe, whatever spaces or control characters come first.
func TestCSVTextNeutralisesFormulas(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Acme", "Acme"},
		{"", ""},
		{"=1+1", "'=1+1"},
		{"+33 1 23", "'+33 1 23"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{" =1+1", "' =1+1"},
		{"   @SUM(A1)", "'   @SUM(A1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"\n=1+1", "'\n=1+1"},
		{"\x00=1+1", "'\x00=1+1"},
		{"\u00a0=1+1", "'\u00a0=1+1"}, // no-break space
		{"\u3000-1", "'\u3000-1"},     // ideographic space
		{" Acme", " Acme"},
		{"Acme = best", "Acme = best"},
		{"a@b.example", "a@b.example"},
	} {
		if got := csvText(c.in); got != c.want {
			t.Errorf("csvText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
