{
  "targets": [
    {
      "target_name": "charrnn_native",
      "sources": ["src/addon.c", "src/blas.c", "src/cells.c", "src/loss.c", "src/optim.c", "src/rows.c"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["USE_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"],
          "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-ffast-math"]}
        }, {
          "include_dirs": ["/usr/include/openblas"],
          "libraries": ["-lopenblas", "-lm"],
          "cflags": ["-O3", "-march=native", "-ffast-math", "-std=c11"]
        }]
      ]
    }
  ]
}
