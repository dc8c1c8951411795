package refresh_test

import (
	"strings"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/email"
	"github.com/partnerdesk/partnerdesk/refresh"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

// The daily refresh queues the day's digests: a second refresh the same
// day (the command line's, forced) queues nothing more.
func TestRefreshQueuesDigestsOnceADay(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		mail, err := email.NewComposer("https://partners.example.com")
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{1, 0} { // Alpha's Globex upgrade, due in 4 days, to Alice
			s, ran, err := refresh.Claimed(ctx, db, st.Now, "test", true, refresh.Options{Mailer: mail})
			if err != nil || !ran || s.Digests != want {
				t.Fatalf("refresh %d: %d digests, ran %v, %v; want %d", i+1, s.Digests, ran, err, want)
			}
		}
		var digests []pd.OutboxEmail
		for _, m := range st.Emails(t, db, st.AlphaAdmin) {
			if m.Kind == pd.EmailDigest && m.ID != st.AlphaDigestEmail {
				digests = append(digests, m)
			}
		}
		if len(digests) != 1 || !strings.Contains(digests[0].Text, "https://partners.example.com/partners/1/renewals/2") {
			t.Fatalf("Alice's digests: %+v", digests)
		}
	})
}
