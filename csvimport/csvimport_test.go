package csvimport_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/csvimport"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
)

func admin() context.Context {
	return pd.WithPrincipal(context.Background(), &pd.Principal{Name: "Ada", Role: pd.RoleProgramAdmin})
}

func TestImportReportsEveryBadRowAndWritesNothing(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		// Events and usage of last week.
		day := func(d int) string { return pd.DateOf(st.Now, time.UTC).AddDays(d).String() }
		at := func(d int) string { return day(d) + "T10:00:00Z" }
		cases := []struct {
			name, kind, file string
			want             []string // "line column"
			created          int
		}{
			{"good events", "events", "id,occurred_at,client,partner,product,mrr\n" +
				"e1," + at(-7) + ",acct-northwind.example,p-alpha,service-pro,1000\n" +
				"e2," + at(-6) + ",acct-northwind.example,,service-pro,0\n", nil, 2},
			{"bad events", "events", "id,occurred_at,client,product,mrr\n" +
				"x1," + at(-7) + ",acct-northwind.example,service-pro,ten\n" +
				"x2,yesterday,acct-nobody,service-pro,5\n" +
				"\"x3," + at(-7) + ",acct-northwind.example,service-pro,5\n", []string{"2 mrr", "3 occurred_at", "3 client", "4 "}, 0},
			// Every problem of every row at once: its record's checks, and
			// its references even when a check failed.
			{"every problem of a row", "partners", "id,name,country,website,tier,partner_manager\n" +
				"p-ok,Fine Agency,FR,https://fine.example,,\n" +
				"p-bad,Bad Agency,France,www.bad.example,platinium,st-nobody\n" +
				"p-worse,,ZZ,https://worse.example,gold,st-maya\n", []string{"3 country", "3 website", "3 partner_manager", "3 tier", "4 name", "4 country"}, 0},
			{"a cell that cannot be read, with the row's other problems", "certifications", "id,partner,name,holder,earned_on,expires_on\n" +
				"c-1,p-nobody,Cert,,someday,2027-01-01\n", []string{"2 earned_on", "2 holder", "2 partner"}, 0},
			{"store problems by line", "usage", "client,day,tools,active_users,seats\n" +
				"acct-globex.example," + day(-7) + ",contacts|tickets,2,3\n" +
				"acct-nobody," + day(-7) + ",contacts,2,3\n" +
				"acct-globex.example," + day(-6) + ",contacts teleport,2,3\n", []string{"3 client", "4 tools"}, 0},
			{"good activity", "activity", "client,day,user,actions\n" +
				"acct-northwind.example," + day(-2) + ",employee@alpha.test,14\n", nil, 1},
			{"activity of another partner's user and an unknown one", "activity", "client,day,user,actions\n" +
				"acct-northwind.example," + day(-3) + ",employee@alpha.test,2\n" +
				"acct-northwind.example," + day(-3) + ",admin@beta.test,2\n" +
				"acct-northwind.example," + day(-3) + ",ghost@alpha.test,many\n", []string{"3 user", "4 actions", "4 user"}, 0},
			{"unknown column", "clients", "id,name,colour\nacct-x,X,red\n", []string{"1 colour"}, 0},
			{"a quoted field over two lines keeps line numbers right", "clients", "id,name\nacct-a,\"A\nInc\"\n,Nameless\n", []string{"4 id"}, 0},
			{"partners then clients", "partners", "id,name,country,tier\np-new,New Partner,DE,\n", nil, 1},
			{"text that is not UTF-8, in any column", "clients", "id,name,employees\nacct-ok,OK,1\nacct-bad,B\xe9ad,2\nacct-bad2,Bad,1\xff\n",
				[]string{"3 name", "4 employees"}, 0},
			{"a link that is not http(s)", "partners", "id,name,website\np-js,JS,javascript:alert(1)\n", []string{"2 website"}, 0},
			{"a photo that is not https", "staff", "id,name,email,role,photo_url\nst-js,JS,js@vendor.test,partner_manager,data:image/png;base64\n", []string{"2 photo_url"}, 0},
		}
		for _, c := range cases {
			rep, err := csvimport.Import(admin(), db, c.kind, strings.NewReader(c.file), csvimport.Options{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, fmt.Sprintf("%d %s", p.Line, p.Column))
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("%s: problems %q, want %q (%v)", c.name, got, c.want, rep.Problems)
			}
			if rep.Result.Created != c.created && c.want == nil {
				t.Errorf("%s: created %d, want %d", c.name, rep.Result.Created, c.created)
			}
		}
		// The bad files wrote nothing; a dry run neither.
		rep, err := csvimport.Import(admin(), db, "clients", strings.NewReader("id,name\nacct-dry,Dry\n"), csvimport.Options{DryRun: true})
		if err != nil || rep.Result.Created != 1 {
			t.Fatalf("dry run: %v %+v", err, rep)
		}
		rows, _ := db.QueryRaw(context.Background(), "SELECT COUNT(*) FROM clients WHERE account_id IN ('acct-dry', 'acct-x', 'acct-a', 'acct-ok', 'acct-bad')")
		var n int
		rows.Next()
		rows.Scan(&n)
		rows.Close()
		if n != 0 {
			t.Errorf("%d clients written by rejected or dry-run files", n)
		}
		if _, err := csvimport.Import(admin(), db, "planets", strings.NewReader(""), csvimport.Options{}); pd.ErrorCode(err) != pd.EInvalid {
			t.Errorf("unknown kind: %v", err)
		}
	})
}

// A file with thousands of bad rows lists the first pd.MaxProblems
// problems, by line, and counts them all.
func TestImportListsTheFirstProblemsAndCountsAll(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		db := e.Open(t, st.Clock)
		st.Load(t, db)
		// Each row lacks its id and name and has a bad number: 3 problems.
		const rows = 1500
		file := "id,name,employees\n" + strings.Repeat(",,many\n", rows)
		rep, err := csvimport.Import(admin(), db, "clients", strings.NewReader(file), csvimport.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != pd.MaxProblems || rep.ProblemsTotal != 3*rows {
			t.Fatalf("%d problems listed of %d, want %d of %d", len(rep.Problems), rep.ProblemsTotal, pd.MaxProblems, 3*rows)
		}
		for i, p := range rep.Problems {
			if want := 2 + i/3; p.Line != want {
				t.Fatalf("problem %d is on line %d, want %d: %+v", i, p.Line, want, p)
			}
		}
	})
}

func FuzzImport(f *testing.F) {
	db := st.OpenSQLite(f, st.Clock)
	st.Load(f, db)
	f.Fuzz(func(t *testing.T, kind uint8, data string) {
		k := csvimport.Kinds[int(kind)%len(csvimport.Kinds)]
		rep, err := csvimport.Import(admin(), db, k, strings.NewReader(data), csvimport.Options{DryRun: true})
		if err != nil {
			t.Fatalf("%s %q: %v", k, data, err)
		}
		for _, p := range rep.Problems {
			if p.Line < 1 || p.Reason == "" {
				t.Fatalf("%s %q: problem without a line or reason: %+v", k, data, p)
			}
		}
	})
}
