//go:build unix

package bot

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system, so a
// benchmark on a busy machine reports the work done rather than the wait.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
