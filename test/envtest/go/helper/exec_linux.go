package main

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// execTiedToParent replaces this process with bin after asking the kernel to SIGKILL it when the
// parent (the test process) dies, so a crashed or killed test run leaves no etcd or API server behind.
// The death signal survives execve.
func execTiedToParent(bin string, args []string) error {
	parent := os.Getppid()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		return errno
	}
	// The parent may have died before the death signal was armed.
	if os.Getppid() != parent {
		return errors.New("parent exited before start")
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return err
	}
	return syscall.Exec(path, append([]string{bin}, args...), os.Environ())
}
