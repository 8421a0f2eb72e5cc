// cv::setNumThreads is not wrapped by gocv v0.31; these two functions expose it to Go.
#include <opencv2/core.hpp>
#include "cvthreads.h"

void avstack_cv_set_num_threads(int n) { cv::setNumThreads(n); }
int avstack_cv_get_num_threads(void) { return cv::getNumThreads(); }
