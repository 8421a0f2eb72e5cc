package detect

/*
#cgo !windows pkg-config: opencv4
#cgo CXXFLAGS: --std=c++11
#include "cvthreads.h"
*/
import "C"

// SetOpenCVThreads sets the number of threads OpenCV's parallel loops (and so its DNN module)
// use, process-wide (cv::setNumThreads). n <= 0 restores OpenCV's default.
func SetOpenCVThreads(n int) {
	if n <= 0 {
		n = -1
	}
	C.avstack_cv_set_num_threads(C.int(n))
}

// OpenCVThreads reports cv::getNumThreads().
func OpenCVThreads() int { return int(C.avstack_cv_get_num_threads()) }
