package web_test

import (
	"testing"

	pd "github.com/partnerdesk/partnerdesk"
)

// The program's partners list on the scaled demo (10,000 partners), after
// a daily refresh, as a program admin: its first page (by name), a page
// sorted by a snapshot figure, one sorted by the renewal decisions due
// (counted for every partner), and a filtered search.
func benchAdminPage(b *testing.B, path string) {
	db, h, cookie := benchServerAs(b, pd.RoleProgramAdmin, 0)
	benchRequests(b, db, h, cookie, path, false)
}

func BenchmarkPartnersList(b *testing.B) { benchAdminPage(b, "/admin/partners") }

func BenchmarkPartnersListBySoldCredit(b *testing.B) {
	benchAdminPage(b, "/admin/partners?sort=sold&dir=desc&page=3")
}

func BenchmarkPartnersListByDecisionsDue(b *testing.B) {
	benchAdminPage(b, "/admin/partners?sort=pending&dir=desc")
}

func BenchmarkPartnersListFiltered(b *testing.B) {
	benchAdminPage(b, "/admin/partners?q=a&certified=yes&performance=partner&sort=usage&dir=desc")
}

func BenchmarkProgramAudit(b *testing.B) { benchAdminPage(b, "/admin/audit") }
