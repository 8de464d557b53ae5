// Command etcd is the upstream etcd server (same entry point as the server module's own main),
// built from go.etcd.io/etcd/server/v3 because Debian's etcd is too old for kube-apiserver 1.34.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
