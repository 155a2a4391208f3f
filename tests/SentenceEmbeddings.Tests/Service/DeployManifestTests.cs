using k8s;
using k8s.Models;

namespace SentenceEmbeddings.Tests.Service;

/// <summary>samples/EmbeddingService/deploy/ read strictly into the Kubernetes object models (KubernetesClient): every field must exist in the schema, and the pieces must fit together.</summary>
public sealed class DeployManifestTests
{
    private static List<object> Load(string file) =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "deploy", file)), strict: true);

    [Fact]
    public void Deployment_ProbesResourcesAndReadOnlyModels()
    {
        List<object> objects = Load("deployment.yaml");
        V1Deployment deployment = Assert.Single(objects.OfType<V1Deployment>());
        V1Service service = Assert.Single(objects.OfType<V1Service>());
        V1Container container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("/health/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/health/live", container.LivenessProbe.HttpGet.Path);
        Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"));
        V1VolumeMount models = Assert.Single(container.VolumeMounts);
        Assert.True(models.ReadOnlyProperty);
        V1Volume volume = Assert.Single(deployment.Spec.Template.Spec.Volumes, v => v.Name == models.Name);
        Assert.Equal(ClaimName(), volume.PersistentVolumeClaim.ClaimName);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
        Assert.Equal(8002, container.Ports.Single().ContainerPort);
    }

    [Fact]
    public void Autoscaler_ScalesTheDeploymentOnCpu()
    {
        V2HorizontalPodAutoscaler autoscaler = Assert.IsType<V2HorizontalPodAutoscaler>(Assert.Single(Load("hpa.yaml")));
        V1Deployment deployment = Load("deployment.yaml").OfType<V1Deployment>().Single();
        Assert.Equal(("Deployment", deployment.Metadata.Name), (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
        V2MetricSpec metric = Assert.Single(autoscaler.Spec.Metrics);
        Assert.Equal("cpu", metric.Resource.Name);
        Assert.Equal("Utilization", metric.Resource.Target.Type);
    }

    [Fact]
    public void DownloadJob_FillsTheModelVolumeWithTheCli()
    {
        V1Job job = Assert.IsType<V1Job>(Assert.Single(Load("download-models-job.yaml")));
        V1Container container = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal(["dotnet", "cli/sentence-embeddings.dll", "download", "--tier", "all", "--to", "/models"], container.Command);
        Assert.Equal("/models", Assert.Single(container.VolumeMounts).MountPath);
        Assert.Equal(ClaimName(), Assert.Single(job.Spec.Template.Spec.Volumes).PersistentVolumeClaim.ClaimName);
    }

    [Fact]
    public void ReembedJob_OneShardPerIndex()
    {
        V1Job job = Assert.IsType<V1Job>(Assert.Single(Load("reembed-job.yaml")));
        Assert.Equal("Indexed", job.Spec.CompletionMode);
        string command = string.Join(' ', job.Spec.Template.Spec.Containers.Single().Command);
        Assert.Contains("embed --model-dir /models/", command, StringComparison.Ordinal);
        Assert.Contains("part-$JOB_COMPLETION_INDEX.jsonl", command, StringComparison.Ordinal);
    }

    [Fact]
    public void StrictReading_RejectsAFieldTheSchemaLacks()
    {
        string yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "deploy", "hpa.yaml")).Replace("minReplicas", "minReplica", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(yaml, strict: true));
    }

    private static string ClaimName() => Assert.IsType<V1PersistentVolumeClaim>(Assert.Single(Load("models-pvc.yaml"))).Metadata.Name;
}
