package partnerdesk

import (
	"strings"
	"testing"
)

func TestIsCountry(t *testing.T) {
	if n := len(strings.Fields(countryCodes)); n != 249 {
		t.Errorf("%d country codes, want ISO 3166-1's 249", n)
	}
	for v, want := range map[string]bool{"FR": true, "US": true, "ZW": true, "AD": true, "GB": true,
		"fr": false, "F": false, "FRA": false, "ZZ": false, "UK": false, "": false, "D ": false, "R ": false, " F": false, "DA": false} {
		if got := IsCountry(v); got != want {
			t.Errorf("IsCountry(%q) = %v, want %v", v, got, want)
		}
	}
}
