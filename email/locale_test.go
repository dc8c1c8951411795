package email_test

import (
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/email"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// An email is in its recipient's language: their account's choice, else
// English; counts take the language's plural forms.
func TestEmailsFollowTheRecipientsLanguage(t *testing.T) {
	c, err := email.NewComposer("https://partners.example.com")
	if err != nil {
		t.Fatal(err)
	}
	expires := st.Now.Add(time.Hour)
	for _, lang := range []string{"", "en", "fr"} {
		m, err := c.Reset(pd.ResetNotice{User: pd.User{Name: "Zoé", Email: "zoe@alpha.test", Language: lang}, Program: "Test Program", Expires: expires}, "tok")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Reset your Test Program password", "Hello Zoé,", "Choose a new password", `<html lang="en">`}
		if lang == "fr" {
			want = []string{"Réinitialisez votre mot de passe Test Program", "Bonjour Zoé,", "Choisissez un nouveau mot de passe", `<html lang="fr">`}
		}
		all := m.Subject + "\n" + m.Text + "\n" + m.HTML
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%q: the reset email lacks %q:\n%s", lang, w, all)
			}
		}
	}

	day := pd.NewDate(2026, time.December, 1)
	item := pd.DigestItem{RenewalID: 7, ClientName: "Globex", ContractType: "renewal", RenewalDate: day.AddDays(60), Deadline: day.AddDays(1)}
	for _, c2 := range []struct {
		items   int
		subject string
	}{{1, "1 décision de renouvellement à prendre sous 14 jours pour Alpha"}, {2, "2 décisions de renouvellement à prendre sous 14 jours pour Alpha"}} {
		d := pd.Digest{User: pd.User{Name: "Zoé", Language: "fr"}, Partner: "Alpha", PartnerID: 1, Program: "P", Day: day, Within: 14}
		for i := 0; i < c2.items; i++ {
			d.Items = append(d.Items, item)
		}
		m, err := c.Digest(d)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != c2.subject || !strings.Contains(m.Text, "Renouvellement le 30 janv. 2027, à décider avant le 2 déc. 2026 (demain)") {
			t.Errorf("digest of %d: %q\n%s", c2.items, m.Subject, m.Text)
		}
	}
}
