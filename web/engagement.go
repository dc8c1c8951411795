package web

import (
	"net/http"
	"net/url"
	"slices"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// engagementView is the platform engagement index page: the buckets and
// the trend, then either a bucket's clients, one opportunity list in full,
// or the top of each list.
type engagementView struct {
	URL    *url.URL
	O      *pd.EngagementOverview
	Bars   []bucketBar
	Trend  []trendBar
	Bucket string          // the bucket whose clients are listed (O.Bucket)
	List   string          // the opportunity list shown in full
	PageNo int             // of Clients or List
	Pages  int             //
	Lists  map[string]bool // which lists the page shows
}

type bucketBar struct {
	Bucket   string
	Count    int
	Percent  int
	Selected bool
}

// trendBar is one month of the trend chart, in SVG units: the chart is
// 12 bars of 30 wide, an index of 10 is 100 high, the baseline at 110.
type trendBar struct {
	pd.EngagementMonth
	X, Y, H, Mid int
}

var engagementLists = map[string]bool{store.ListAtRisk: true, store.ListUpgrades: true, store.ListCrossSell: true}

func (s *Server) engagementPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ev := &engagementView{URL: r.URL, Bucket: q.Get("bucket"), List: q.Get("list"), PageNo: 1}
	if ev.Bucket != "" && !slices.Contains(pd.Buckets, ev.Bucket) {
		return pd.Errorf(pd.EInvalid, "Unknown usage bucket %q.", ev.Bucket)
	}
	if ev.List != "" && !engagementLists[ev.List] {
		return pd.Errorf(pd.EInvalid, "Unknown list %q.", ev.List)
	}
	if ev.Bucket != "" && ev.List != "" {
		return pd.Errorf(pd.EInvalid, "Show a bucket or a list, not both.")
	}
	page, size, err := parsePage(q)
	if err != nil {
		return err
	}
	ev.PageNo = page
	query := store.EngagementQuery{}
	switch {
	case ev.List != "":
		query = store.EngagementQuery{List: ev.List, Offset: (page - 1) * size, Limit: size}
		ev.Lists = map[string]bool{ev.List: true}
	case ev.Bucket != "":
		query = store.EngagementQuery{Bucket: ev.Bucket, Offset: (page - 1) * size, Limit: size} // the bucket's clients replace the lists
	default:
		ev.Lists = engagementLists
	}
	v, err := s.dashboard(r, "engagement", ev)
	if err != nil {
		return err
	}
	if ev.O, err = s.db.EngagementOverview(r.Context(), query); err != nil {
		return err
	}
	switch ev.List {
	case "":
		ev.Pages = (ev.O.BucketTotal + size - 1) / size
	case store.ListAtRisk:
		ev.Pages = (ev.O.AtRiskTotal + size - 1) / size
	case store.ListUpgrades:
		ev.Pages = (ev.O.UpgradeTot + size - 1) / size
	case store.ListCrossSell:
		ev.Pages = (ev.O.CrossTot + size - 1) / size
	}
	for _, b := range pd.Buckets {
		bar := bucketBar{Bucket: b, Count: ev.O.Now.Count(b), Selected: b == ev.Bucket}
		if ev.O.Now.Clients > 0 {
			bar.Percent = (200*bar.Count + ev.O.Now.Clients) / (2 * ev.O.Now.Clients)
		}
		ev.Bars = append(ev.Bars, bar)
	}
	for i, m := range ev.O.Trend {
		h := m.Average()
		ev.Trend = append(ev.Trend, trendBar{EngagementMonth: m, X: 30*i + 4, Y: 110 - h, H: h, Mid: 30*i + 15})
	}
	s.render(w, r, "engagement", v)
	return nil
}
