package storetest

import (
	"context"
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// The directory's fixture: Alpha's published profile and one lead. Beta
// has no profile.
const (
	AlphaSlug = "alpha-agency"
	AlphaLead = 1
	// AlphaLeadEmail receives Alpha's leads; the directory never shows it.
	AlphaLeadEmail = "leads@alpha.test"
)

// DirectoryServices are the program's services in the fixture.
var DirectoryServices = []string{"Implementation", "Training", "Custom development"}

func loadDirectory(t testing.TB, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	err := db.Bulk(ctx, func(b *store.Bulk) error {
		b.Insert("directory_profiles", []string{"partner_id", "state", "slug", "description", "services", "industries",
			"countries", "languages", "website", "logo_url", "lead_email", "search", "updated_at"},
			AlphaID, pd.ProfilePublished, AlphaSlug, "We launch marketing teams on the platform.", "|Implementation|Training|",
			"|Retail|Software|", "|France|Belgium|", "|French|English|", "https://alpha.example", "https://alpha.example/logo.png",
			AlphaLeadEmail, "alpha agency\nwe launch marketing teams on the platform.", Now)
		b.Insert("leads", []string{"id", "partner_id", "name", "email", "company", "message", "status", "created_at"},
			AlphaLead, AlphaID, "Paula Prospect", "paula@prospect.example", "Prospect Inc", "Please call us.", pd.LeadNew, Now)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := pd.WithPrincipal(ctx, &pd.Principal{Role: pd.RoleProgramAdmin})
	if err := db.UpdateDirectorySettings(admin, pd.DirectorySettings{Services: DirectoryServices}); err != nil {
		t.Fatal(err)
	}
}
