module yunshu.local/envtest/helper

go 1.24.0
