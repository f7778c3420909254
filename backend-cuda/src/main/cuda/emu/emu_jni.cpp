// JNI entry points of the emulated CUDA device (org.pararnn.backend.cuda.EmulatedDevice): device memory is
// host memory, copies are plain copies, and a launch runs the kernel on the emulator (cuda_emu.h).
#include <jni.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" int pararnn_emu_launch(const char* name, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                  unsigned bz, unsigned sharedBytes, void** params, unsigned long long* counts,
                                  char* err, int errLen);

extern "C" {

JNIEXPORT jlong JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_malloc0(JNIEnv*, jclass, jlong bytes) {
    // 64-byte aligned like device allocations (which are at least 256-byte aligned).
    void* p = nullptr;
    if (posix_memalign(&p, 256, (size_t) (bytes > 0 ? bytes : 1)) != 0) {
        return 0;
    }
    return (jlong) (intptr_t) p;
}

JNIEXPORT void JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_free0(JNIEnv*, jclass, jlong ptr) {
    std::free((void*) (intptr_t) ptr);
}

JNIEXPORT void JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_upload0(JNIEnv* env, jclass, jfloatArray src,
                                                                             jint off, jint n, jlong dst) {
    env->GetFloatArrayRegion(src, off, n, (jfloat*) (intptr_t) dst);
}

JNIEXPORT void JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_download0(JNIEnv* env, jclass, jlong src,
                                                                               jfloatArray dst, jint off, jint n) {
    env->SetFloatArrayRegion(dst, off, n, (const jfloat*) (intptr_t) src);
}

JNIEXPORT void JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_uploadInts0(JNIEnv* env, jclass, jintArray src,
                                                                                 jint off, jint n, jlong dst) {
    env->GetIntArrayRegion(src, off, n, (jint*) (intptr_t) dst);
}

JNIEXPORT void JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_downloadInts0(JNIEnv* env, jclass, jlong src,
                                                                                   jintArray dst, jint off, jint n) {
    env->SetIntArrayRegion(dst, off, n, (const jint*) (intptr_t) src);
}

JNIEXPORT void JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_copy0(JNIEnv*, jclass, jlong src, jlong dst,
                                                                           jlong bytes) {
    std::memmove((void*) (intptr_t) dst, (const void*) (intptr_t) src, (size_t) bytes);
}

// params: one 64-bit slot per kernel parameter (a device pointer, or an int in its low 32 bits); counts: four
// longs for the launch's dependent phases, bytes read, bytes written and blocks.
JNIEXPORT jstring JNICALL Java_org_pararnn_backend_cuda_EmulatedDevice_launch0(JNIEnv* env, jclass, jstring name,
        jint gx, jint gy, jint gz, jint bx, jint by, jint bz, jint shared, jlongArray params, jlongArray counts) {
    const char* kernel = env->GetStringUTFChars(name, nullptr);
    jsize n = env->GetArrayLength(params);
    std::vector<jlong> values(n);
    env->GetLongArrayRegion(params, 0, n, values.data());
    std::vector<void*> slots(n);
    for (jsize i = 0; i < n; i++) {
        slots[i] = &values[i];
    }
    char err[1024];
    unsigned long long c[4] = {0, 0, 0, 0};
    int rc = pararnn_emu_launch(kernel, gx, gy, gz, bx, by, bz, shared, slots.data(), c, err, sizeof err);
    env->ReleaseStringUTFChars(name, kernel);
    jlong out[4] = {(jlong) c[0], (jlong) c[1], (jlong) c[2], (jlong) c[3]};
    env->SetLongArrayRegion(counts, 0, 4, out);
    return rc == 0 ? nullptr : env->NewStringUTF(err);
}

}
