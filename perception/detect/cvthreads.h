#ifndef AVSTACK_DETECT_CVTHREADS_H
#define AVSTACK_DETECT_CVTHREADS_H
#ifdef __cplusplus
extern "C" {
#endif
void avstack_cv_set_num_threads(int n);
int avstack_cv_get_num_threads(void);
#ifdef __cplusplus
}
#endif
#endif
