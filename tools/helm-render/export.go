//go:build wasip1

package main

import "unsafe"

// The module's exports (built with -buildmode=c-shared, a WASI reactor): the host runs _initialize once
// (Go's package init, ~0.4 s of Helm's and client-go's type registrations), then per batch writes the
// request JSON into the buffer helm_alloc returns, calls helm_render (the answer's length, or minus the
// length of a message when the batch itself is unreadable) and reads the answer at helm_result. The
// parsed templates and loaded charts stay cached across batches.

var input, output []byte

//go:wasmexport helm_alloc
func helmAlloc(size int32) uint32 {
	input = make([]byte, size+1) // never empty, so that &input[0] exists
	return uint32(uintptr(unsafe.Pointer(&input[0])))
}

//go:wasmexport helm_render
func helmRender(size int32) int32 {
	out, err := renderBatch(input[:size])
	input = nil
	if err != nil {
		output = []byte(err.Error())
		return -int32(len(output))
	}
	output = out
	return int32(len(output))
}

//go:wasmexport helm_result
func helmResult() uint32 {
	if len(output) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(&output[0])))
}
