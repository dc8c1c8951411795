package main

import (
	"fmt"
	"runtime/debug"
)

// version describes this build from the module's build information: the
// module version (a tag when installed with go install …@vX), else the
// commit it was built from, and the Go release. Nothing is edited by hand.
func version() string {
	v, rev, modified, goVersion := "(devel)", "", false, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev
		if modified {
			v += "+modified"
		}
	}
	return fmt.Sprintf("partnerdesk %s %s", v, goVersion)
}
