"""A bias report started from Python, as the SageMaker SDK documentation writes it.

Network isolation is on, so the Clarify job cannot reach the shadow endpoint it creates
from the model (CVL101). The subnets are the ones described in ../api/describe-subnets.json.
"""

import sagemaker
from sagemaker import clarify
from sagemaker.network import NetworkConfig

session = sagemaker.Session()
role = sagemaker.get_execution_role()
bucket = "churn-ml-artifacts"

network_config = NetworkConfig(
    enable_network_isolation=True,
    subnets=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    security_group_ids=["sg-0a1b2c3d4e5f60005"],
)
processor = clarify.SageMakerClarifyProcessor(
    role=role,
    instance_count=1,
    instance_type="ml.m5.xlarge",
    sagemaker_session=session,
    network_config=network_config,
)
processor.run_bias(
    data_config=clarify.DataConfig(
        s3_data_input_path=f"s3://{bucket}/churn/train.csv",
        s3_output_path=f"s3://{bucket}/churn/clarify-bias",
        label="churned",
        headers=["churned", "age", "tenure", "plan"],
        dataset_type="text/csv",
    ),
    bias_config=clarify.BiasConfig(label_values_or_threshold=[1], facet_name="age"),
    model_config=clarify.ModelConfig(
        model_name="churn-xgboost",
        instance_type="ml.m5.xlarge",
        instance_count=1,
        accept_type="text/csv",
    ),
)
