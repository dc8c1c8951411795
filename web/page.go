package web

import (
	"net/url"
	"strconv"

	pd "github.com/partnerdesk/partnerdesk"
)

// parsePage reads page (from 1) and size (1–500, default 50).
func parsePage(q url.Values) (int, int, error) {
	page, size := 1, 50
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			return 0, 0, pd.Errorf(pd.EInvalid, "Page must be a whole number from 1.")
		}
		page = n
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return 0, 0, pd.Errorf(pd.EInvalid, "Page size must be a whole number from 1 to 500.")
		}
		size = n
	}
	return page, size, nil
}
