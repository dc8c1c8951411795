package storetest

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/partnerdesk/partnerdesk/store"
)

// CPUTime is the processor time spent so far by this process and, on
// PostgreSQL, by the server processes of db's database (Linux only; 0
// elsewhere). Benchmarks report work per CPU second beside work per
// second, since a shared machine's other jobs slow the latter down.
func CPUTime(db *store.DB) time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	total := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if db.Dialect() != "postgres" {
		return total
	}
	rows, err := db.QueryRaw(context.Background(), "SELECT current_database()")
	if err != nil {
		return total
	}
	var name string
	if rows.Next() {
		rows.Scan(&name)
	}
	rows.Close()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmd, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(string(cmd), "postgres: ") || !strings.Contains(string(cmd), " "+name+" ") {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(filepath.Dir(p), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime
		// are the 12th and 13th, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			total += time.Duration(u+s) * 10 * time.Millisecond
		}
	}
	return total
}
