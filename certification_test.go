package partnerdesk

import "testing"

func TestCertificationValidUntilItExpiresOrIsRevoked(t *testing.T) {
	c := Certification{EarnedOn: day("2026-01-10"), ExpiresOn: day("2027-01-10")}
	revoked := c
	revoked.RevokedOn = day("2026-06-01")
	for _, x := range []struct {
		c    Certification
		day  string
		want bool
	}{
		{c, "2026-01-09", false},
		{c, "2026-01-10", true},
		{c, "2027-01-09", true},
		{c, "2027-01-10", false},
		{revoked, "2026-05-31", true},
		{revoked, "2026-06-01", false},
	} {
		if got := x.c.Valid(day(x.day)); got != x.want {
			t.Errorf("%+v on %s: valid %v, want %v", x.c, x.day, got, x.want)
		}
	}
}

func TestCertificationEndingIsTheLastValidOneWithinTheAlert(t *testing.T) {
	today := day("2026-11-27")
	soon := Certification{Name: "soon", EarnedOn: today.AddDays(-300), ExpiresOn: today.AddDays(CertificationAlertDays)}
	later := Certification{Name: "later", EarnedOn: today.AddDays(-10), ExpiresOn: today.AddDays(CertificationAlertDays + 1)}
	expired := Certification{Name: "expired", EarnedOn: today.AddDays(-800), ExpiresOn: today}
	revokedLater := later
	revokedLater.RevokedOn = today
	for _, c := range []struct {
		name  string
		certs []Certification
		want  string // "" none
	}{
		{"one expiring in 60 days", []Certification{soon, expired}, "soon"},
		{"another valid after the alert", []Certification{soon, later}, ""},
		{"the later one revoked", []Certification{soon, revokedLater}, "soon"},
		{"none valid", []Certification{expired}, ""},
	} {
		got, ok := CertificationEnding(c.certs, today)
		if ok != (c.want != "") || ok && got.Name != c.want {
			t.Errorf("%s: %q %v, want %q", c.name, got.Name, ok, c.want)
		}
	}
}
