//go:build !unix

package bot

import "time"

// processCPU is not measured here; the benchmark then reports 0 CPU.
func processCPU() time.Duration { return 0 }
